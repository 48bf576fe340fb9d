//! Field checks shared by forms, the API and the CLI. Each returns the cleaned value or an
//! `Invalid` error naming the field, with a message from the catalogue.
use crate::error::{AppError, AppResult};

/// Checks every field of a form before refusing it, so the form comes back with all its
/// errors at once rather than one per try. `take` keeps a field's value (its default when
/// refused); `done` refuses the form if any field was.
#[derive(Default)]
pub struct Checks {
    refused: Vec<AppError>,
}

impl Checks {
    pub fn take<T: Default>(&mut self, checked: AppResult<T>) -> T {
        checked.unwrap_or_else(|e| {
            self.refused.push(e);
            T::default()
        })
    }

    pub fn done(self) -> AppResult<()> {
        let mut refused = self.refused.into_iter();
        match refused.next() {
            None => Ok(()),
            Some(first) => Err(first.with_also(refused)),
        }
    }
}

pub const NAME_MAX: usize = 120;
pub const EMAIL_MAX: usize = 254;
pub const SLUG_MAX: usize = 48;

/// A required single-line text: trimmed, not empty, at most `max` characters, no control
/// characters.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "validation.required"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid_with(field, "validation.too_long", max));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "validation.control_chars"));
    }
    Ok(value.to_string())
}

/// A required multi-line text (descriptions, comments, solutions): Windows line ends made
/// `\n`, trimmed, not empty, at most `max` characters, and no control characters other than
/// line breaks and tabs (PostgreSQL refuses a NUL, and a bell has no place in a ticket).
pub fn multiline(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.replace("\r\n", "\n");
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "validation.required"));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid_with(field, "validation.too_long", max));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::invalid(field, "validation.control_chars"));
    }
    Ok(value.to_string())
}

/// A lowercased email address of plausible shape (one `@`, a dot in the domain, no spaces).
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let value = text(field, value, EMAIL_MAX)?.to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
                && !value.contains(['<', '>', ',', ';', '"', '(', ')', '[', ']', '\\'])
        }
        None => false,
    };
    if !valid {
        return Err(AppError::invalid(field, "validation.email"));
    }
    Ok(value)
}

/// A slug: lowercase letters, digits and single hyphens, starting with a letter.
pub fn slug(field: &str, value: &str) -> AppResult<String> {
    let value = text(field, value, SLUG_MAX)?;
    let valid = value.starts_with(|c: char| c.is_ascii_lowercase())
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.ends_with('-')
        && !value.contains("--");
    if !valid {
        return Err(AppError::invalid(field, "validation.slug"));
    }
    Ok(value)
}

pub fn number_in(field: &str, value: &str, min: i32, max: i32) -> AppResult<i32> {
    let parsed: i32 = value.trim().parse().map_err(|_| AppError::invalid(field, "validation.number"))?;
    if parsed < min || parsed > max {
        return Err(AppError::invalid_with(field, "validation.range", format!("{min}–{max}")));
    }
    Ok(parsed)
}

/// Whether a looked-up key (an email, a slug) could equal a stored one. Stored keys passed
/// `text`, so they hold no control characters; PostgreSQL refuses a NUL anywhere in a query,
/// so such input must not reach the database: it is simply not found.
pub fn can_match_stored(value: &str) -> bool {
    !value.contains(char::is_control)
}

/// User input repeated in a message ("There is no service “…”"): control characters made
/// visible as U+FFFD, and cut to a readable length.
pub fn shown(value: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = value.chars().take(MAX).map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if value.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", " Anna@Schule.DE ").unwrap(), "anna@schule.de");
        for bad in ["", "anna", "anna@", "@schule.de", "a b@schule.de", "a@schule", "a@b@c.de", "a@.de", "<a@b.de>"] {
            assert!(email("e", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn slugs() {
        assert!(slug("s", "gym-mitte-2").is_ok());
        for bad in ["", "Gym", "2gym", "gym_mitte", "gym--mitte", "gym-", "gym mitte", "über"] {
            assert!(slug("s", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn multiline_texts() {
        assert_eq!(multiline("t", " a\r\nb\tc ", 10).unwrap(), "a\nb\tc");
        assert!(multiline("t", " \n ", 10).is_err());
        assert!(multiline("t", "a\0b", 10).is_err());
        assert!(multiline("t", "elf Zeichen", 10).is_err());
    }

    #[test]
    fn lookups_and_echoes() {
        assert!(can_match_stored("gym-a"));
        assert!(!can_match_stored("gym\0a"));
        assert_eq!(shown("wi\0fi"), "wi\u{FFFD}fi");
        assert_eq!(shown(&"x".repeat(100)), format!("{}…", "x".repeat(60)));
    }

    #[test]
    fn texts() {
        assert_eq!(text("t", "  Hallo ", 10).unwrap(), "Hallo");
        assert!(text("t", "   ", 10).is_err());
        assert!(text("t", "elf Zeichen", 10).is_err());
        assert!(text("t", "a\u{0}b", 10).is_err());
    }
}
