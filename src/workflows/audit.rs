//! Reading the audit trail of a site (its admin): who used urgency, who was
//! displaced, what the waitlist served.

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::audit::{self, AuditFilter, NamedEntry};

/// The entries `filter` selects, oldest first (admin).
pub fn trail(
    conn: &mut DbConn,
    access: &SiteAccess,
    filter: &AuditFilter,
) -> Result<Vec<NamedEntry>, ApiError> {
    access.require_admin()?;
    audit::list(conn, access.site.id, filter)
}
