package server

// keyCommands lists the generic key commands (owned by the keys helper).
func keyCommands() []*Command { return nil }
