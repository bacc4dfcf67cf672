//! `livingroom backup PATH`: a consistent copy of a live SQLite database
//! through SQLite's online backup API.
//!
//! Diesel does not expose its raw handle, so this opens its own two handles
//! with the bundled SQLite (the same library diesel links). The whole
//! database is copied in one backup step, which holds one read transaction:
//! in WAL mode the server keeps writing meanwhile, and the copy is the
//! database as of one instant. The copy is written next to `PATH` and
//! renamed into place only once complete and checked, so `PATH` is never a
//! half-written file.

#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_int};
use std::path::{Path, PathBuf};
use std::ptr;

use anyhow::{Context, Result, bail};
use libsqlite3_sys as ffi;

/// One open SQLite handle, closed on drop.
struct Handle(*mut ffi::sqlite3);

impl Handle {
    fn open(path: &Path, flags: c_int) -> Result<Handle> {
        let name = CString::new(path.to_string_lossy().as_bytes()).context("path contains NUL")?;
        let mut db = ptr::null_mut();
        // SAFETY: `name` is a valid C string; `db` receives the handle, which
        // SQLite allocates even on failure and we close in `Drop`.
        let rc = unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, ptr::null()) };
        let handle = Handle(db);
        if rc != ffi::SQLITE_OK {
            bail!("cannot open {}: {}", path.display(), handle.message());
        }
        // SAFETY: `db` is an open handle.
        unsafe { ffi::sqlite3_busy_timeout(db, 10_000) };
        Ok(handle)
    }

    fn message(&self) -> String {
        if self.0.is_null() {
            return "out of memory".to_owned();
        }
        // SAFETY: the handle is valid; SQLite returns a NUL-terminated string
        // it owns, which we copy at once.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.0)) }
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: closing a handle we opened (a null handle is a no-op).
        unsafe { ffi::sqlite3_close(self.0) };
    }
}

/// Copies the SQLite database at `source` to `target`; returns the number
/// of pages copied.
pub fn sqlite_backup(source: &Path, target: &Path) -> Result<i32> {
    if !source.exists() {
        bail!("{} does not exist", source.display());
    }
    let partial = partial_path(target);
    let _ = std::fs::remove_file(&partial);
    // The copy holds password hashes and sessions: made owner-only before
    // SQLite writes a byte (an empty file is an empty database to it), and
    // the rename below keeps the mode.
    owner_only_file(&partial)?;
    let pages = {
        let src = Handle::open(source, ffi::SQLITE_OPEN_READONLY)?;
        let dst = Handle::open(&partial, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)?;
        let main = c"main";
        // SAFETY: both handles are open and outlive the backup object, which
        // `sqlite3_backup_finish` releases below on every path.
        let backup = unsafe { ffi::sqlite3_backup_init(dst.0, main.as_ptr(), src.0, main.as_ptr()) };
        if backup.is_null() {
            bail!("cannot start the backup: {}", dst.message());
        }
        // SAFETY: `backup` is live until finished; -1 copies every page in
        // one step, under one read transaction of the source.
        let (step, pages, finish) = unsafe {
            let step = ffi::sqlite3_backup_step(backup, -1);
            let pages = ffi::sqlite3_backup_pagecount(backup);
            (step, pages, ffi::sqlite3_backup_finish(backup))
        };
        if step != ffi::SQLITE_DONE || finish != ffi::SQLITE_OK {
            bail!("the backup stopped (SQLite code {step}): {}", dst.message());
        }
        pages
    };
    check_integrity(&partial)?;
    std::fs::rename(&partial, target)
        .with_context(|| format!("cannot move the backup into place at {}", target.display()))?;
    Ok(pages)
}

fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    target.with_file_name(name)
}

/// Fails unless `PRAGMA integrity_check` on `path` answers `ok`.
pub fn check_integrity(path: &Path) -> Result<()> {
    use diesel::{Connection, RunQueryDsl, SqliteConnection, sql_types::Text};
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = Text)]
        integrity_check: String,
    }
    let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    match rows.as_slice() {
        [one] if one.integrity_check == "ok" => Ok(()),
        _ => bail!(
            "integrity check of {} failed: {}",
            path.display(),
            rows.iter()
                .map(|r| r.integrity_check.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

#[cfg(unix)]
fn owner_only_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

#[cfg(not(unix))]
fn owner_only_file(_path: &Path) -> Result<()> {
    Ok(())
}
