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
    // `ON CONFLICT DO NOTHING`: an instance that loses the race to another
    // starting at the same moment reads the winner's secret. Catching the
    // unique violation instead left PostgreSQL's transaction aborted, and
    // the read after it failed ("current transaction is aborted"): two
    // instances started at once on an empty database, one of them exited.
    let value = generate();
    crate::db::concrete!(conn, |c| diesel::insert_into(server_secrets::table)
        .values((server_secrets::name.eq(name), server_secrets::value.eq(&value)))
        .on_conflict(server_secrets::name)
        .do_nothing()
        .execute(c))?;
    read(conn)?.ok_or_else(|| ApiError::internal(anyhow::anyhow!("secret {name} vanished")))
}
