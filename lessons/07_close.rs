//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(7, |_| Ok(()))
}
