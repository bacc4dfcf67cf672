//! Interest groups (兴趣小组): a qipao class, a calligraphy class...

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{interest_groups, users};
use crate::errors::ApiError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = interest_groups)]
pub struct Group {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub leader_id: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConn,
    site_id: i64,
    name: &str,
    leader_id: i64,
    now: NaiveDateTime,
) -> Result<Group, ApiError> {
    let id: i64 = diesel::insert_into(interest_groups::table)
        .values((
            interest_groups::site_id.eq(site_id),
            interest_groups::name.eq(name),
            interest_groups::leader_id.eq(leader_id),
            interest_groups::created_at.eq(now),
        ))
        .returning(interest_groups::id)
        .get_result(conn)?;
    by_id(conn, site_id, id)
}

/// Whether the site has a group called `name` already.
pub fn name_taken(conn: &mut DbConn, site_id: i64, name: &str) -> Result<bool, ApiError> {
    Ok(interest_groups::table
        .filter(interest_groups::site_id.eq(site_id))
        .filter(interest_groups::name.eq(name))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

pub fn by_id(conn: &mut DbConn, site_id: i64, id: i64) -> Result<Group, ApiError> {
    interest_groups::table
        .filter(interest_groups::id.eq(id))
        .filter(interest_groups::site_id.eq(site_id))
        .select(Group::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("group"))
}

/// A site's groups with their leaders' names, in id order.
pub fn list(
    conn: &mut DbConn,
    site_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(Group, String)>, ApiError> {
    Ok(interest_groups::table
        .inner_join(users::table.on(users::id.eq(interest_groups::leader_id)))
        .filter(interest_groups::site_id.eq(site_id))
        .filter(interest_groups::id.gt(after_id))
        .order(interest_groups::id)
        .limit(limit)
        .select((Group::as_select(), users::name))
        .load(conn)?)
}

/// Group names by id, for display.
pub fn names(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(interest_groups::table
        .filter(interest_groups::id.eq_any(ids))
        .select((interest_groups::id, interest_groups::name))
        .load(conn)?)
}
