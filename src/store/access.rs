//! Loading a caller's standing on the site a URL names. Every site-scoped
//! route starts here; the rules of who may do what are `domain::policy`'s.

use std::ops::Deref;

use crate::db::DbConn;
use crate::domain::policy::{self, Caller, Standing};
use crate::errors::ApiError;
use crate::store::sites::{self, Site};
use crate::store::users::User;

/// A caller's standing on one loaded site.
#[derive(Clone, Debug)]
pub struct SiteAccess {
    /// The site addressed by the URL.
    pub site: Site,
    /// Who the caller is there; `access.require_admin()` and the other
    /// policy questions reach it through `Deref`, since a site access is
    /// that standing plus what was loaded with it.
    pub standing: Standing,
    /// The caller's account as it is now, inside the request's
    /// transaction: mail to them (a booking's confirmation) needs their
    /// address, language and preferences without reading them again.
    pub caller: User,
}

impl Deref for SiteAccess {
    type Target = Standing;

    fn deref(&self) -> &Standing {
        &self.standing
    }
}

/// Loads the site named `slug` for `caller`. A site that does not exist and a
/// site the caller does not belong to look the same: 404. One statement:
/// every site-scoped request starts here, many of them on the writer.
/// [`site_access`] for a caller known only by a verified token: the site,
/// the membership, the account and whether the session is live, in one
/// statement. A dead session is 401 before anything else, as
/// [`AuthUser`](crate::auth::AuthUser) answers it.
pub fn site_access_in_session(
    conn: &mut DbConn,
    slug: &str,
    bearer: &crate::auth::Bearer,
) -> Result<(SiteAccess, crate::auth::AuthUser), ApiError> {
    let Some((site, membership, account, live)) =
        sites::with_member_in_session(conn, slug, bearer.user_id, bearer.session_id)?
    else {
        // No such site (or account): say which only to a live session.
        return match crate::store::sessions::user_of_live_session(conn, bearer.session_id, bearer.user_id)? {
            Some(_) => Err(ApiError::not_found("site")),
            None => Err(crate::auth::extractor::session_ended()),
        };
    };
    if live.is_none() {
        return Err(crate::auth::extractor::session_ended());
    }
    let user = crate::auth::AuthUser::of(account.clone(), bearer.session_id);
    let standing = policy::enter(Caller::from(&user), membership.map(|m| m.roles()))
        .ok_or_else(|| ApiError::not_found("site"))?;
    Ok((
        SiteAccess {
            site,
            standing,
            caller: account,
        },
        user,
    ))
}

pub fn site_access(conn: &mut DbConn, slug: &str, caller: impl Into<Caller>) -> Result<SiteAccess, ApiError> {
    let caller = caller.into();
    let (site, membership, account) =
        sites::with_member(conn, slug, caller.user_id)?.ok_or_else(|| ApiError::not_found("site"))?;
    let standing =
        policy::enter(caller, membership.map(|m| m.roles())).ok_or_else(|| ApiError::not_found("site"))?;
    Ok(SiteAccess {
        site,
        standing,
        caller: account,
    })
}
