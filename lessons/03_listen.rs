//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(3, |_| Ok(()))
}
