//! Placeholder: this lesson is being written.
fn main() {
    socklab::lesson::run(6, |_| Ok(()))
}
