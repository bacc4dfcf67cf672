//! People: e-mail addresses, names, per-site roles, skills, languages and
//! the password policy.

use serde::{Deserialize, Serialize};

use super::Invalid;
use super::invalid::text;

/// A normalised e-mail address (trimmed, lowercased). The check is
/// deliberately simple: one `@`, something on both sides, a dot in the
/// domain, no spaces or control characters (they could forge mail headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &str) -> Result<Email, Invalid> {
        let value = value.trim().to_lowercase();
        let bad = || Invalid::field("email", "must be an e-mail address like name@example.org");
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = value.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || value.contains(['<', '>', ',', ';', '"'])
        {
            return Err(bad());
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name, as shown on the board.
pub fn person_name(value: &str) -> Result<String, Invalid> {
    let name = text("name", value, 100)?;
    if name.chars().any(is_invisible_format) {
        return Err(Invalid::field(
            "name",
            "must not contain invisible characters (zero-width spaces or text-direction marks)",
        ));
    }
    Ok(name)
}

/// Zero-width and text-direction characters: in a name they make one
/// person look like another on the board, or reorder the text around it.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A name in a second language, beside the name as the person gives it
/// (林阿姨 is her name; "Auntie Lin" is how English speakers know her).
pub fn other_name(value: &str) -> Result<String, Invalid> {
    text("other_name", value, 100)
}

/// What a member may do on one site.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The committee secretary or director: runs the site.
    Admin,
    /// A social worker: books computers, takes desk shifts.
    Staff,
    /// A resident who signs up for duty slots.
    Volunteer,
    /// Leads an interest group and books rooms for it.
    GroupLeader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Volunteer, Role::GroupLeader];
}

/// The set of roles one member holds on one site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles {
    pub admin: bool,
    pub staff: bool,
    pub volunteer: bool,
    pub group_leader: bool,
}

impl Roles {
    pub const ADMIN: Roles = Roles::only(Role::Admin);
    pub const STAFF: Roles = Roles::only(Role::Staff);
    pub const VOLUNTEER: Roles = Roles::only(Role::Volunteer);
    pub const GROUP_LEADER: Roles = Roles::only(Role::GroupLeader);

    /// The set holding just `role`.
    pub const fn only(role: Role) -> Roles {
        Roles {
            admin: matches!(role, Role::Admin),
            staff: matches!(role, Role::Staff),
            volunteer: matches!(role, Role::Volunteer),
            group_leader: matches!(role, Role::GroupLeader),
        }
    }

    pub fn parse(roles: &[Role]) -> Result<Roles, Invalid> {
        if roles.is_empty() {
            return Err(Invalid::field("roles", "name at least one role"));
        }
        Ok(Roles::from_slice(roles))
    }

    pub fn from_slice(roles: &[Role]) -> Roles {
        let mut set = Roles::default();
        for role in roles {
            match role {
                Role::Admin => set.admin = true,
                Role::Staff => set.staff = true,
                Role::Volunteer => set.volunteer = true,
                Role::GroupLeader => set.group_leader = true,
            }
        }
        set
    }

    pub fn has(self, role: Role) -> bool {
        match role {
            Role::Admin => self.admin,
            Role::Staff => self.staff,
            Role::Volunteer => self.volunteer,
            Role::GroupLeader => self.group_leader,
        }
    }

    pub fn to_vec(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| self.has(*r)).collect()
    }

    pub const fn union(self, other: Roles) -> Roles {
        Roles {
            admin: self.admin || other.admin,
            staff: self.staff || other.staff,
            volunteer: self.volunteer || other.volunteer,
            group_leader: self.group_leader || other.group_leader,
        }
    }
}

/// A skill a person brings (`medical`, `legal`, `labour`): lowercase ASCII
/// letters, digits, `_` or `-`, so it can be matched exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skill(String);

impl Skill {
    pub fn parse(field: &str, value: &str) -> Result<Skill, Invalid> {
        let value = value.trim().to_lowercase();
        let ok = !value.is_empty()
            && value.len() <= 40
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return Err(Invalid::field(
                field,
                "a skill is 1 to 40 lowercase letters, digits, '_' or '-' (e.g. medical)",
            ));
        }
        Ok(Skill(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses a list, dropping duplicates.
    pub fn parse_all(values: &[String]) -> Result<Vec<Skill>, Invalid> {
        let mut invalid = Invalid::default();
        let mut skills = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if let Some(skill) = invalid.collect(Skill::parse(&format!("skills[{i}]"), v)) {
                skills.push(skill);
            }
        }
        invalid.into_result()?;
        skills.sort();
        skills.dedup();
        Ok(skills)
    }
}

/// The languages mail and the board are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Language {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }

    /// Reads a stored code; anything unknown falls back to the default.
    pub fn from_code(code: &str) -> Language {
        match code {
            "en" => Language::En,
            _ => Language::ZhCn,
        }
    }
}

/// A new password: 8 to 256 characters. The upper bound keeps one login
/// from costing unbounded hashing time.
pub fn new_password(field: &str, value: &str) -> Result<String, Invalid> {
    let n = value.chars().count();
    if n < 8 {
        return Err(Invalid::field(field, "must be at least 8 characters"));
    }
    if n > 256 {
        return Err(Invalid::field(field, "must be at most 256 characters"));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Chen.Mei@Example.org ").unwrap().as_str(),
            "chen.mei@example.org"
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@b.c",
            "a@b.c\r\nBcc: x@y.z",
            "a b@c.d",
            "a@@b.c",
            "<a@b.c>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_refuse_invisible_and_direction_characters() {
        for c in [
            '\u{200B}', '\u{200D}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{FEFF}',
        ] {
            let err = person_name(&format!("陈{c}梅")).unwrap_err();
            assert_eq!(err.fields[0].field, "name", "{c:?}");
        }
        assert_eq!(person_name(" 陈梅 ").unwrap(), "陈梅");
        assert_eq!(person_name("Zoë O'Neil-Smith").unwrap(), "Zoë O'Neil-Smith");
    }

    proptest! {
        #[test]
        fn no_accepted_name_hides_characters(s in "\\PC{0,20}[\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}]?\\PC{0,20}") {
            if let Ok(name) = person_name(&s) {
                prop_assert!(!name.chars().any(is_invisible_format));
            }
        }
    }

    #[test]
    fn roles_round_trip() {
        let roles = Roles::from_slice(&[Role::Staff, Role::Admin, Role::Staff]);
        assert_eq!(roles.to_vec(), vec![Role::Admin, Role::Staff]);
        assert!(Roles::parse(&[]).is_err());
    }

    #[test]
    fn skills_dedup() {
        let skills = Skill::parse_all(&["Medical".into(), "medical".into(), "legal".into()]).unwrap();
        assert_eq!(
            skills.iter().map(Skill::as_str).collect::<Vec<_>>(),
            ["legal", "medical"]
        );
        assert!(Skill::parse_all(&["a b".into()]).is_err());
    }

    proptest! {
        #[test]
        fn accepted_emails_cannot_forge_headers(s in "\\PC{0,40}|[a-z]{1,5}@[a-z]{1,5}\\.[a-z]{2,3}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert!(!e.as_str().contains(['\r', '\n', ' ', '<', '>', ',']));
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }
    }
}
