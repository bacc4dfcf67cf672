//! Who may see what on a site. Every site-scoped route starts here.

use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::domain::person::{Role, Roles};
use crate::errors::ApiError;
use crate::store::sites::{self, Site};
use crate::store::users::User;

/// A caller's standing on one site.
#[derive(Clone, Debug)]
pub struct SiteAccess {
    /// The site addressed by the URL.
    pub site: Site,
    /// The caller's roles there (none for an operator who is not a member).
    pub roles: Roles,
    /// Operators run the deployment and may act as admin of any site.
    pub operator: bool,
    /// The caller.
    pub user_id: i64,
    /// The caller's account as it is now, inside the request's
    /// transaction: mail to them (a booking's confirmation) needs their
    /// address, language and preferences without reading them again.
    pub caller: User,
}

impl SiteAccess {
    pub fn is_admin(&self) -> bool {
        self.roles.admin || self.operator
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.has(role)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "Only the site's admin (secretary or director) may do this.",
            ))
        }
    }

    /// Admins and staff (social workers) see the people of the site.
    pub fn require_staff_or_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() || self.roles.staff {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "Only staff and admins of this site may do this.",
            ))
        }
    }
}

/// Loads the site named `slug` for `user`. A site that does not exist and a
/// site the caller does not belong to look the same: 404. One statement:
/// every site-scoped request starts here, many of them on the writer.
pub fn site_access(conn: &mut DbConn, slug: &str, user: &AuthUser) -> Result<SiteAccess, ApiError> {
    let (site, membership, caller) =
        sites::with_member(conn, slug, user.id)?.ok_or_else(|| ApiError::not_found("site"))?;
    match (membership, user.is_operator) {
        (Some(m), operator) => Ok(SiteAccess {
            site,
            roles: m.roles(),
            operator,
            user_id: user.id,
            caller,
        }),
        (None, true) => Ok(SiteAccess {
            site,
            roles: Roles::default(),
            operator: true,
            user_id: user.id,
            caller,
        }),
        (None, false) => Err(ApiError::not_found("site")),
    }
}
