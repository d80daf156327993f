//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(2, |_| Ok(()))
}
