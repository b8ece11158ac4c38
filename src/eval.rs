//! Eval: scores a run against gold annotations (see `claimstance eval`).
