//! Placeholders in one argument: `{name}` stands for the value of parameter `name`, `{{` and `}}`
//! are literal braces. Substitution happens after splitting and inside one argument, so a value
//! with spaces or shell characters stays exactly one argument and is never interpreted.

use std::fmt;

/// One piece of an argument template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text (braces already unescaped).
    Text(String),
    /// `{name}`.
    Placeholder(String),
}

/// Why an argument's braces do not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum TemplateError {
    /// A `{` without a closing `}`.
    Unclosed,
    /// A `}` that closes nothing.
    LoneClose,
    /// `{}`.
    Empty,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unclosed => "a `{` is never closed",
            Self::LoneClose => "a `}` closes no placeholder",
            Self::Empty => "`{}` names no parameter",
        })?;
        f.write_str(" (placeholders are `{name}`; write `{{` and `}}` for literal braces)")
    }
}

/// Parses one argument into literal text and placeholders.
pub(crate) fn parse(arg: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = arg.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err(TemplateError::LoneClose),
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        None => return Err(TemplateError::Unclosed),
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                    }
                }
                if name.is_empty() {
                    return Err(TemplateError::Empty);
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(name));
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Fills `pieces` with `value(name)` for each placeholder, or the first lookup error.
pub(crate) fn fill<E>(pieces: &[Piece], mut value: impl FnMut(&str) -> Result<String, E>) -> Result<String, E> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name) => out.push_str(&value(name)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ph(n: &str) -> Piece {
        Piece::Placeholder(n.to_owned())
    }

    fn tx(t: &str) -> Piece {
        Piece::Text(t.to_owned())
    }

    #[test]
    fn placeholders_and_literal_braces() {
        assert_eq!(parse("{outlet}").unwrap(), [ph("outlet")]);
        assert_eq!(parse("1-1.{outlet}:{node}x").unwrap(), [tx("1-1."), ph("outlet"), tx(":"), ph("node"), tx("x")]);
        assert_eq!(parse(r#"{{"port": {outlet}}}"#).unwrap(), [tx(r#"{"port": "#), ph("outlet"), tx("}")]);
        assert_eq!(parse("plain").unwrap(), [tx("plain")]);
        assert_eq!(parse("").unwrap(), [tx("")]);
        assert_eq!(parse("{{}}").unwrap(), [tx("{}")]);
    }

    #[test]
    fn bad_braces() {
        assert_eq!(parse("{outlet"), Err(TemplateError::Unclosed));
        assert_eq!(parse("a}b"), Err(TemplateError::LoneClose));
        assert_eq!(parse("{}"), Err(TemplateError::Empty));
        assert!(parse("{").unwrap_err().to_string().contains("write `{{` and `}}`"));
    }

    #[test]
    fn values_fill_one_argument() {
        let pieces = parse("pre-{args}-post").unwrap();
        let out = fill(&pieces, |n| Ok::<_, ()>(if n == "args" { "a b; rm -rf x".into() } else { String::new() }));
        assert_eq!(out.unwrap(), "pre-a b; rm -rf x-post");
        assert_eq!(fill(&pieces, |n| Err(n.to_owned())), Err("args".to_owned()));
    }
}
