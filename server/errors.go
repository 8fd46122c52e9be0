package server

// Error replies, byte for byte as Redis 7.0 sends them (without the leading
// '-'). Every wire error text of the server lives here.
const (
	errSyntax            = "ERR syntax error"
	errNotInteger        = "ERR value is not an integer or out of range"
	errNotFloat          = "ERR value is not a valid float"
	errOverflow          = "ERR increment or decrement would overflow"
	errNaNInf            = "ERR increment would produce NaN or Infinity"
	errWrongType         = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errNoSuchKey         = "ERR no such key"
	errNoAuth            = "NOAUTH Authentication required."
	errOOM               = "OOM command not allowed when used memory > 'maxmemory'."
	errWrongPass         = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassword        = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errDBIndex           = "ERR DB index is out of range"
	errInvalidDB         = "ERR invalid DB index"
	errSameObject        = "ERR source and destination objects are the same"
	errMaxClients        = "ERR max number of clients reached"
	errStringTooBig      = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errOffsetRange       = "ERR offset is out of range"
	errBadCursor         = "ERR invalid cursor"
	errNXXXGTLT          = "ERR NX and XX, GT or LT options at the same time are not compatible"
	errGTLT              = "ERR GT and LT options at the same time are not compatible"
	errNoLFU             = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errClientName        = "ERR Client names cannot contain spaces, newlines or special characters."
	errNoSuchClient      = "ERR No such client"
	errTimeoutNeg        = "ERR timeout is negative"
	errShutdownRefus     = "ERR Errors trying to SHUTDOWN. Check logs."
	errClientIDPositive  = "ERR client-id should be greater than 0"
	errInvalidClientID   = "ERR Invalid client ID"
	errGetkeysInvalidCmd = "ERR Invalid command specified"
	errGetkeysArity      = "ERR Invalid number of arguments specified for command"
	errGetkeysNoKeys     = "ERR The command has no key arguments"
	errIntRange          = "ERR value is out of range, value must between -2147483648 and 2147483647"
	errSwapFirstDB       = "ERR invalid first DB index"
	errSwapSecondDB      = "ERR invalid second DB index"
	errCopyUnsupport     = "ERR the value of the source key cannot be copied"
	errNoPersistence     = "ERR sessiond keeps its data in memory only: persistence (SAVE, BGSAVE) is not supported"
	errNoConfigFile      = "ERR The server is running without a config file"
	errNoShutdown        = "ERR No shutdown in progress."
	errDecrOverflow      = "ERR decrement would overflow"
	errProtectedMode     = "DENIED sessiond is running in protected mode: protected mode is enabled and no password is set for the default user, so only loopback connections are accepted. Set a password (requirepass), or disable protected mode with 'CONFIG SET protected-mode no' from a loopback connection or '--protected-mode no' at start-up."
	// sets
	errRandCountRange  = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	errRandCountTooBig = "ERR count is too large: sessiond returns at most 4194304 random members"
	errNumkeysArgs     = "ERR Number of keys can't be greater than number of args"
	errLimitNegative   = "ERR LIMIT can't be negative"
	errHashNotInteger  = "ERR hash value is not an integer"
	errHashNotFloat    = "ERR hash value is not a float"
	errNaNInfValue     = "ERR value is NaN or Infinity"
	errFieldsMissing   = "ERR Mandatory argument FIELDS is missing or not at the right position"
	errNumFields       = "ERR Parameter `numFields` should be greater than 0"
	errNumFieldsMatch  = "ERR The `numfields` parameter must match the number of arguments"
	errExpireNegative  = "ERR invalid expire time, must be >= 0"
)

func errWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

func errInvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

func errUnknownSubcommand(sub, container string) string {
	return "ERR unknown subcommand '" + truncate(sub, 128) + "'. Try " + container + " HELP."
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Sorted-set errors.
const (
	errZaddNXXX       = "ERR XX and NX options at the same time are not compatible"
	errZaddGTLTNX     = "ERR GT, LT, and/or NX options at the same time are not compatible"
	errZaddIncrPair   = "ERR INCR option supports a single increment-element pair"
	errZaddNaN        = "ERR resulting score is not a number (NaN)"
	errZMinMaxFloat   = "ERR min or max is not a float"
	errZMinMaxLex     = "ERR min or max not valid string range item"
	errZLimitRank     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	errZWithscoresLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	errZWeightFloat   = "ERR weight value is not a float"
	errOutOfRange     = "ERR value is out of range"
)

func errZAtLeastOneKey(cmd string) string {
	return "ERR at least 1 input key is needed for '" + cmd + "' command"
}

// List and blocking errors.
const (
	errTimeoutFloat    = "ERR timeout is not a float or out of range"
	errIndexRange      = "ERR index out of range"
	errMustBePositive  = "ERR value is out of range, must be positive"
	errNumkeysPositive = "ERR numkeys should be greater than 0"
	errRankZero        = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errCountNegative   = "ERR COUNT can't be negative"
	errMaxlenNegative  = "ERR MAXLEN can't be negative"
	errCountPositive   = "ERR count should be greater than 0"
)
