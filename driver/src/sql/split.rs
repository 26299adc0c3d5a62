//! Splitting a SQL script into statements at `;`, ignoring semicolons inside quotes, quoted
//! identifiers and comments, and dropping comment-only pieces.

/// Splits `script` into trimmed statements (without their `;`).
pub fn split_statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = script.chars().peekable();
    let mut has_code = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                has_code = true;
                current.push(c);
                while let Some(d) = chars.next() {
                    current.push(d);
                    if d == '\\' && c != '`' {
                        if let Some(e) = chars.next() {
                            current.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                // Line comment: skip to the end of the line.
                for d in chars.by_ref() {
                    if d == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                current.push(' ');
            }
            ';' => {
                if has_code {
                    out.push(current.trim().to_string());
                }
                current.clear();
                has_code = false;
            }
            c => {
                if !c.is_whitespace() {
                    has_code = true;
                }
                current.push(c);
            }
        }
    }
    if has_code {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_and_comments() {
        let script = "SELECT 'a;b'; -- c;\n/* d; */ SELECT `x;y` FROM t;\n-- only a comment\n";
        assert_eq!(
            split_statements(script),
            vec![
                "SELECT 'a;b'".to_string(),
                "SELECT `x;y` FROM t".to_string()
            ]
        );
        assert_eq!(split_statements("SELECT 1"), vec!["SELECT 1".to_string()]);
        assert!(split_statements("  ;; -- x\n").is_empty());
    }
}
