//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(8, |_| Ok(()))
}
