//! The API test suite: one binary, one fresh database per test.
//! Runs on SQLite by default and on PostgreSQL when
//! `LIVINGROOM_TEST_POSTGRES_URL` is set (`.ci/run` runs both).

mod auth;
mod authz;
mod board;
mod bookings;
mod channels;
mod concurrency;
mod constraints;
mod demo;
mod duties;
mod faults;
mod hardening;
mod health;
mod helpers;
mod hostile;
mod hostile_members;
mod isolation;
mod limits;
mod mail;
mod members;
mod openapi;
mod outbox_retention;
mod pages;
mod pages_console;
mod pages_duties;
mod pages_me;
mod pages_rooms;
mod pages_shifts;
mod priority;
mod problems;
mod resources;
mod robots;
mod rota;
mod sign_in_abuse;
mod site_time;
mod sites;
mod smtp;
mod token_lifetimes;
mod tokens;
mod upgrades;
mod web;
// Issue 19 (hostile testing), items 3, 11, 12 and 14.
mod heavy_reads;
mod names_and_exports;
mod pages_reports;
mod past_changes;
mod reports_rooms;
mod waitlist_cap;
// Issue 22: reports 3-5 and the district observer.
mod reports_people;
// Issue 22: the console's 场地.
mod pages_console_resources;
// Issue 22: the console's 排班 and duty set-up pages.
mod pages_console_rota;
// Issue 23, 3: availability computed as far as it is answered.
mod availability_year;
// Issue 24: the console's 群机器人 (robots and webhooks).
mod pages_console_channels;
