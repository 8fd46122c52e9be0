package server

// registerCommands fills the table; each cmd_<group>.go file contributes
// its rows through one function listed here.
func registerCommands(t *table) {
	t.add(connectionCommands()...)
	t.add(stringCommands()...)
	t.add(keyCommands()...)
	t.add(serverCommands()...)
	t.add(memoryCommands()...)
	t.add(debugCommands()...)
	t.add(replicationCommands()...)
	t.add(replicaofCommands()...)
	t.add(setCommands()...)
	t.add(hashCommands()...)
	t.add(zsetCommands()...)
	t.add(listCommands()...)
	t.add(zsetBlockingCommands()...)
	t.add(sessionCommands()...)
	wrapKeyspaceWakers(t) // after every group: it wraps RENAME, COPY, MOVE, SWAPDB ...
}
