//! A site is one residents' committee (居委会): its slug, name and time zone.

use chrono_tz::Tz;

use super::Invalid;
use super::invalid::text;

/// The URL name of a site (`changzheng-3`): lowercase ASCII letters, digits
/// and inner hyphens, 2 to 63 characters, so it is safe in any URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(value: &str) -> Result<Slug, Invalid> {
        let ok_chars = value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let len = value.len();
        if !(2..=63).contains(&len)
            || !ok_chars
            || value.starts_with('-')
            || value.ends_with('-')
            || value.contains("--")
        {
            return Err(Invalid::field(
                "slug",
                "must be 2 to 63 lowercase letters, digits or single inner hyphens (e.g. changzheng-3)",
            ));
        }
        Ok(Slug(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A site's display name.
pub fn site_name(value: &str) -> Result<String, Invalid> {
    text("name", value, 200)
}

/// The default time zone of a site: the field reports are from Shanghai.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// An IANA time zone name, checked against the tz database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteTimeZone(Tz);

impl SiteTimeZone {
    pub fn parse(field: &str, value: &str) -> Result<SiteTimeZone, Invalid> {
        value.parse::<Tz>().map(SiteTimeZone).map_err(|_| {
            Invalid::field(
                field,
                format!("'{value}' is not an IANA time zone name (e.g. Asia/Shanghai)"),
            )
        })
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Default for SiteTimeZone {
    fn default() -> Self {
        SiteTimeZone(chrono_tz::Asia::Shanghai)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs() {
        assert!(Slug::parse("changzheng-3").is_ok());
        for bad in ["", "a", "-a", "a-", "a--b", "A", "a b", "a/b", "中文"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            SiteTimeZone::parse("timezone", "Europe/Berlin").unwrap().name(),
            "Europe/Berlin"
        );
        assert!(SiteTimeZone::parse("timezone", "Mars/Olympus").is_err());
        assert!(SiteTimeZone::parse("timezone", "").is_err());
    }

    proptest! {
        #[test]
        fn accepted_slugs_are_url_safe(s in "\\PC{0,70}") {
            if let Ok(slug) = Slug::parse(&s) {
                prop_assert!(slug.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
                prop_assert!(slug.as_str().len() >= 2 && slug.as_str().len() <= 63);
            }
        }
    }
}
