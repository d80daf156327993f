//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(5, |_| Ok(()))
}
