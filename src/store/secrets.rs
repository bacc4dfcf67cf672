//! Server secrets kept in the database, shared by every app instance.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::server_secrets;
use crate::errors::ApiError;

/// Returns the secret called `name`, storing `generate()` first if there is
/// none. Instances racing here all end up with the first one stored.
pub fn get_or_create(
    conn: &mut DbConn,
    name: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, ApiError> {
    let read = |conn: &mut DbConn| -> Result<Option<String>, ApiError> {
        Ok(server_secrets::table
            .find(name)
            .select(server_secrets::value)
            .first(conn)
            .optional()?)
    };
    if let Some(value) = read(conn)? {
        return Ok(value);
    }
    let inserted = diesel::insert_into(server_secrets::table)
        .values((
            server_secrets::name.eq(name),
            server_secrets::value.eq(generate()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => {}
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e.into()),
    }
    read(conn)?.ok_or_else(|| ApiError::internal(anyhow::anyhow!("secret {name} vanished")))
}
