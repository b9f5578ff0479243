// Package scenarios holds authbench's conformance specs: Ginkgo v2 / Gomega specs
// that drive every Amplify sign-in branch (nextStep) through the driver against a
// target pool — the embedded emulator or a live Cognito pool — and assert the step,
// every field Amplify fills for it and the tokens at the end.
//
// The specs are an ordinary package registered for side effects, as Kubernetes ships
// its e2e suite: `authbench conform` configures a [Target] with [Configure] and runs
// them in-process with Ginkgo's RunSpecs; suite_test.go runs them under `go test`
// against the embedded pool. Each spec declares the pool it needs ([Needs]); the
// target supplies one (the embedded target creates pools through the Admin API, a
// live target checks its pool's configuration) or the spec is skipped with the reason.
// Specs create their users with a recognisable prefix ([UserPrefix]) and remove them
// with DeferCleanup, so the same spec runs on both targets.
//
// Ginkgo's suite is process-global, so the configuration is too: Configure must be
// called once, before RunSpecs.
package scenarios
