//! What the console's page for setting up volunteer duties reads: the
//! site's duty series and the rooms a duty can hold. Creating one is
//! `workflows::duties::create`, as for the API.

use crate::db::DbConn;
use crate::domain::resource::ResourceKind;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::duties::{self, Duty};
use crate::store::resources::{self, ResourceFilter};

/// The site's duties, each with the name of the room it holds, and the
/// rooms to choose from.
pub struct DutySetup {
    pub duties: Vec<(Duty, Option<String>)>,
    pub rooms: Vec<(i64, String)>,
}

/// The duty series and the site's rooms (site admin).
pub fn setup(conn: &mut DbConn, access: &SiteAccess) -> Result<DutySetup, ApiError> {
    access.require_admin()?;
    let rooms: Vec<(i64, String)> = resources::list(
        conn,
        access.site.id,
        &ResourceFilter {
            kind: Some(ResourceKind::Room),
            ..ResourceFilter::default()
        },
        0,
        500,
    )?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let mut list = Vec::new();
    for d in duties::of_site(conn, access.site.id)? {
        let room = match d.resource_id {
            Some(id) => resources::name_of(conn, id)?,
            None => None,
        };
        list.push((d, room));
    }
    Ok(DutySetup { duties: list, rooms })
}
