//! Pipeline: wires input, the stages and output, in parallel with rayon.
