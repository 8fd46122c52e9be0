package difftest

func typeScenarios() []scenario { return nil }
