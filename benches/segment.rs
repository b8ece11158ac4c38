//! Benchmarks of the segment stage (divan).

fn main() {
    divan::main();
}
