//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(9, |_| Ok(()))
}
