//! A site's holidays and make-up working days.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::site_calendar;
use crate::domain::calendar::SiteCalendar;
use crate::errors::ApiError;

pub fn load(conn: &mut DbConn, site_id: i64) -> Result<SiteCalendar, ApiError> {
    let rows: Vec<(NaiveDate, String)> = site_calendar::table
        .filter(site_calendar::site_id.eq(site_id))
        .select((site_calendar::date, site_calendar::kind))
        .load(conn)?;
    let mut cal = SiteCalendar::default();
    for (date, kind) in rows {
        if kind == "holiday" {
            cal.holidays.insert(date);
        } else {
            cal.workdays.insert(date);
        }
    }
    Ok(cal)
}

/// Replaces the site's calendar.
pub fn replace(conn: &mut DbConn, site_id: i64, cal: &SiteCalendar) -> Result<(), ApiError> {
    diesel::delete(site_calendar::table.filter(site_calendar::site_id.eq(site_id))).execute(conn)?;
    for (dates, kind) in [(&cal.holidays, "holiday"), (&cal.workdays, "workday")] {
        for date in dates {
            diesel::insert_into(site_calendar::table)
                .values((
                    site_calendar::site_id.eq(site_id),
                    site_calendar::date.eq(date),
                    site_calendar::kind.eq(kind),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}
