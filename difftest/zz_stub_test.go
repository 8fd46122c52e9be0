package difftest

func stringScenarios() []scenario { return nil }
func keyScenarios() []scenario    { return nil }
func typeScenarios() []scenario   { return nil }
