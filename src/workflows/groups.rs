//! Interest groups and their leaders.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::groups::{self, Group};
use crate::store::users;

/// Creates an interest group led by a member of the site (site admin).
/// The leader gets the `group_leader` role if they lack it: that role is
/// what lets them book rooms for the group. Returns the group and the
/// leader's display name.
pub fn create(
    conn: &mut DbConn,
    access: &SiteAccess,
    name: &str,
    leader_id: i64,
    now: NaiveDateTime,
) -> Result<(Group, String), ApiError> {
    access.require_admin()?;
    let site_id = access.site.id;
    let membership = users::membership(conn, site_id, leader_id)?
        .ok_or_else(|| ApiError::invalid("leader_id", "the leader must be a member of this site"))?;
    if groups::name_taken(conn, site_id, name)? {
        return Err(ApiError::conflict(format!(
            "A group called '{name}' already exists here."
        )));
    }
    let mut roles = membership.roles();
    if !roles.group_leader {
        roles.group_leader = true;
        users::update_membership(conn, site_id, leader_id, roles, membership.senior)?;
    }
    let group = groups::insert(conn, site_id, name, leader_id, now)?;
    let leader = users::by_id(conn, leader_id)?.ok_or_else(|| ApiError::not_found("user"))?;
    Ok((group, leader.name))
}
