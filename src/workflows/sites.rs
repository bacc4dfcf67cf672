//! Opening a site and changing its settings.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::site::{SiteTimeZone, Slug};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::sites::{self, Site, SiteChanges};

/// Opens a site; a slug already in use is a conflict. Operators only: the
/// caller checks, as it holds the signed-in account.
pub fn open(
    conn: &mut DbConn,
    slug: &Slug,
    name: &str,
    tz: SiteTimeZone,
    now: NaiveDateTime,
) -> Result<Site, ApiError> {
    if sites::by_slug(conn, slug.as_str())?.is_some() {
        return Err(ApiError::conflict(format!(
            "A site with slug '{}' already exists.",
            slug.as_str()
        )));
    }
    sites::insert(conn, slug.as_str(), name, tz.name(), now)
}

/// Changes the site's name and settings (site admin); returns the site as
/// it is now.
pub fn change_settings(
    conn: &mut DbConn,
    access: &SiteAccess,
    changes: &SiteChanges<'_>,
) -> Result<Site, ApiError> {
    access.require_admin()?;
    sites::update_settings(conn, access.site.id, changes)?;
    sites::by_id(conn, access.site.id)
}
