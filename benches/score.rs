//! Benchmarks of the score stage (divan).

fn main() {
    divan::main();
}
