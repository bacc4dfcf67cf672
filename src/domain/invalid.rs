//! Validation errors from the core, turned into problem+json by the shell,
//! and the one reader of "clear or keep" fields in partial updates.

/// One field that failed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidField {
    /// Path of the field in the request (`email`, `roles[1]`).
    pub field: String,
    /// What is wrong, in words the caller can act on.
    pub message: String,
}

/// A set of invalid fields; parsers collect all of them, not only the first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invalid {
    /// Every offending field found.
    pub fields: Vec<InvalidField>,
}

impl Invalid {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Invalid {
            fields: vec![InvalidField {
                field: field.into(),
                message: message.into(),
            }],
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.fields.push(InvalidField {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Adds the errors of `result` under `prefix`, returning its value if any.
    pub fn collect<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.fields.extend(invalid.fields);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// Checks a free-text field: trimmed, non-empty, at most `max` characters,
/// and free of control characters (a CR/LF in a name must never reach a mail
/// header or a CSV line unescaped).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Invalid::field(field, "must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(Invalid::field(field, format!("must be at most {max} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Invalid::field(
            field,
            "must not contain control characters such as line breaks",
        ));
    }
    Ok(trimmed.to_owned())
}

/// For fields of a partial update (PATCH) where `null` means "clear" and
/// absence "keep": absent is `None` (with `#[serde(default)]`), `null` is
/// `Some(None)`, a value `Some(Some(v))`.
pub fn clear_or_keep<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_rejects_line_breaks() {
        assert!(text("name", "a\r\nBcc: x@y", 100).is_err());
        assert_eq!(text("name", "  陈梅 ", 100).unwrap(), "陈梅");
    }

    proptest! {
        #[test]
        fn accepted_text_is_trimmed_and_bounded(s in ".{0,80}") {
            if let Ok(t) = text("f", &s, 40) {
                prop_assert!(!t.is_empty());
                prop_assert!(t.chars().count() <= 40);
                prop_assert_eq!(t.trim(), t.as_str());
                prop_assert!(!t.chars().any(char::is_control));
            }
        }
    }
}
