//! Output: every CSV schema as a serde struct, and the writers of a run's
//! output folder.
