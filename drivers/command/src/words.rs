//! How a command parameter's text becomes a program and its arguments: a JSON array of strings
//! (`["uhubctl", "-a", "on"]`), or words split the way a POSIX shell splits them (single quotes,
//! double quotes with backslash escapes, backslash outside quotes). Nothing is ever run by a
//! shell, so what a shell would do beyond splitting (pipes, redirections, `;`, `&`, `$`
//! expansions, backticks, comments) is refused rather than silently passed on as text.

use std::fmt;

/// Why a command's text could not be split into words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitError {
    /// A `'` without its closing `'`; `at` is the 1-based character position of the opening one.
    UnbalancedSingleQuote { at: usize },
    /// A `"` without its closing `"`; `at` is the 1-based character position of the opening one.
    UnbalancedDoubleQuote { at: usize },
    /// The text ends with a backslash that escapes nothing.
    TrailingBackslash,
    /// A character a shell would give a meaning this driver does not implement.
    ShellSyntax { ch: char, at: usize },
    /// Text that starts like a JSON array but is not an array of strings.
    Json(String),
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnbalancedSingleQuote { at } => {
                write!(f, "the single quote at character {at} is never closed (unbalanced quotes)")
            }
            Self::UnbalancedDoubleQuote { at } => {
                write!(f, "the double quote at character {at} is never closed (unbalanced quotes)")
            }
            Self::TrailingBackslash => f.write_str("it ends with a backslash that escapes nothing"),
            Self::ShellSyntax { ch, at } => {
                let meaning = match ch {
                    '$' => "a variable or command substitution",
                    '`' => "a command substitution",
                    '#' => "a comment",
                    '|' => "a pipe",
                    '<' | '>' => "a redirection",
                    '(' | ')' => "a subshell",
                    _ => "a command list",
                };
                write!(
                    f,
                    "`{ch}` at character {at} would be {meaning} in a shell, but commands are never run by a shell; \
                     quote it ('{ch}') or escape it (\\{ch}) to pass it literally, or use the JSON array form"
                )
            }
            Self::Json(problem) => write!(f, "it is not a valid JSON array of strings: {problem}"),
        }
    }
}

/// Whether `text` is meant as a JSON array: `[` followed by `"` or `]` (after white space).
/// Anything else starting with `[` (the `[` program) is split as words.
fn looks_like_json(text: &str) -> bool {
    text.trim_start().strip_prefix('[').is_some_and(|rest| rest.trim_start().starts_with(['"', ']']))
}

/// The words of a command parameter: its JSON array, or its shell-like splitting.
pub fn command_words(text: &str) -> Result<Vec<String>, SplitError> {
    if looks_like_json(text) {
        serde_json::from_str::<Vec<String>>(text).map_err(|e| SplitError::Json(e.to_string()))
    } else {
        split_words(text)
    }
}

/// Splits `text` into words as a POSIX shell would, without any expansion: white space separates
/// words; `'...'` is literal; in `"..."` a backslash escapes `$`, `` ` ``, `"`, `\` and a newline
/// (and is kept before anything else); outside quotes a backslash escapes any character, and
/// backslash-newline joins lines. `''` and `""` are empty words. Unquoted `| & ; < > ( )`, a `#`
/// starting a word, and unescaped `$` or `` ` `` (also inside double quotes) are refused. Glob
/// characters (`* ? [`) and `~` are passed literally, as a shell does when nothing matches.
pub fn split_words(text: &str) -> Result<Vec<String>, SplitError> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                let open = i;
                in_word = true;
                loop {
                    i += 1;
                    match chars.get(i) {
                        None => return Err(SplitError::UnbalancedSingleQuote { at: open + 1 }),
                        Some('\'') => break,
                        Some(&ch) => word.push(ch),
                    }
                }
            }
            '"' => {
                let open = i;
                in_word = true;
                loop {
                    i += 1;
                    match chars.get(i) {
                        None => return Err(SplitError::UnbalancedDoubleQuote { at: open + 1 }),
                        Some('"') => break,
                        Some('\\') => match chars.get(i + 1) {
                            Some(&ch @ ('$' | '`' | '"' | '\\')) => {
                                word.push(ch);
                                i += 1;
                            }
                            Some('\n') => i += 1,
                            _ => word.push('\\'),
                        },
                        Some(&ch @ ('$' | '`')) => return Err(SplitError::ShellSyntax { ch, at: i + 1 }),
                        Some(&ch) => word.push(ch),
                    }
                }
            }
            '\\' => {
                i += 1;
                match chars.get(i) {
                    None => return Err(SplitError::TrailingBackslash),
                    Some('\n') => {}
                    Some(&ch) => {
                        word.push(ch);
                        in_word = true;
                    }
                }
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '`' | '$' => {
                return Err(SplitError::ShellSyntax { ch: c, at: i + 1 })
            }
            '#' if !in_word => return Err(SplitError::ShellSyntax { ch: c, at: i + 1 }),
            _ => {
                word.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<String> {
        split_words(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn plain_words_and_white_space() {
        assert_eq!(split("uhubctl -l 1-1  -p 2\t-a on\n"), ["uhubctl", "-l", "1-1", "-p", "2", "-a", "on"]);
        assert!(split("").is_empty());
        assert!(split("  \t ").is_empty());
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(split(r#"echo 'a b' "c d" e\ f"#), ["echo", "a b", "c d", "e f"]);
        assert_eq!(split(r#"x 'it''s' "say \"hi\"" 'a\b'"#), ["x", "its", "say \"hi\"", "a\\b"]);
        assert_eq!(split(r#"x "\$5 \` \\ \n""#), ["x", "$5 ` \\ \\n"]);
        assert_eq!(split(r#"x a'b'"c"d"#), ["x", "abcd"], "quotes join with adjacent text");
        assert_eq!(split("x '' \"\""), ["x", "", ""], "empty quotes are empty words");
        assert_eq!(split("x \\'q\\' \\\"d\\\" \\\\"), ["x", "'q'", "\"d\"", "\\"]);
        assert_eq!(split("x a\\\nb \"c\\\nd\""), ["x", "ab", "cd"], "backslash-newline joins lines");
        assert_eq!(split("x '$HOME; rm -rf /' \\; \\|"), ["x", "$HOME; rm -rf /", ";", "|"]);
        assert_eq!(split("x a#b * ? ~ [ {outlet}"), ["x", "a#b", "*", "?", "~", "[", "{outlet}"]);
        assert_eq!(split("x 'ünï' \"cödé\""), ["x", "ünï", "cödé"]);
    }

    #[test]
    fn unbalanced_quotes_and_trailing_backslash() {
        assert_eq!(split_words("echo 'abc"), Err(SplitError::UnbalancedSingleQuote { at: 6 }));
        assert_eq!(split_words("echo \"abc"), Err(SplitError::UnbalancedDoubleQuote { at: 6 }));
        assert_eq!(split_words("echo \"a\\\""), Err(SplitError::UnbalancedDoubleQuote { at: 6 }));
        assert_eq!(split_words("echo \"it's"), Err(SplitError::UnbalancedDoubleQuote { at: 6 }));
        assert_eq!(split_words("echo abc\\"), Err(SplitError::TrailingBackslash));
        let msg = split_words("a 'b").unwrap_err().to_string();
        assert!(msg.contains("unbalanced quotes") && msg.contains("character 3"), "{msg}");
    }

    #[test]
    fn shell_syntax_is_refused() {
        for (text, ch, at) in [
            ("a | b", '|', 3),
            ("a; b", ';', 2),
            ("a && b", '&', 3),
            ("a > /dev/null", '>', 3),
            ("a < x", '<', 3),
            ("a $HOME", '$', 3),
            ("a \"$HOME\"", '$', 4),
            ("a `id`", '`', 3),
            ("a \"`id`\"", '`', 4),
            ("(a)", '(', 1),
            ("a #comment", '#', 3),
        ] {
            assert_eq!(split_words(text), Err(SplitError::ShellSyntax { ch, at }), "{text}");
        }
        let msg = split_words("a | b").unwrap_err().to_string();
        assert!(msg.contains("a pipe") && msg.contains("never run by a shell") && msg.contains("'|'"), "{msg}");
    }

    #[test]
    fn json_arrays() {
        let words = command_words(r#"["uhubctl", "-l", "1-1", "-p", "{outlet}", "-a", "on"]"#).unwrap();
        assert_eq!(words, ["uhubctl", "-l", "1-1", "-p", "{outlet}", "-a", "on"]);
        assert_eq!(command_words(r#"  [ "a b", "c;d", "$x" ] "#).unwrap(), ["a b", "c;d", "$x"]);
        assert_eq!(command_words("[]").unwrap(), Vec::<String>::new());
        for bad in [r#"["a", 1]"#, r#"["a""#, r#"["a"] x"#, r#"[ "a", ]"#] {
            assert!(matches!(command_words(bad), Err(SplitError::Json(_))), "{bad}");
        }
        assert_eq!(command_words("[ -e /tmp/x ]").unwrap(), ["[", "-e", "/tmp/x", "]"], "the `[` program");
    }
}
