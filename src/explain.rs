//! Placeholder until the explanations land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}
pub struct Explanation;
pub fn lookup(_name: &str) -> Result<&'static Explanation, Option<&'static str>> {
    Err(None)
}
pub fn names() -> Vec<&'static str> {
    vec![]
}
pub fn render(_e: &Explanation, _lang: Lang) -> String {
    String::new()
}
