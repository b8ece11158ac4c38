//! Benchmarks of the matching stage (divan).

fn main() {
    divan::main();
}
