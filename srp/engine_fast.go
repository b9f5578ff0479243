package srp

// fastEngine returns the default engine.
func fastEngine() engine { return bigEngine{} }
