-- The site calendar (holidays, make-up working days) and volunteer duty:
-- weekly series, standing and one-off sign-ups, absences, attendance.

ALTER TABLE sites ADD COLUMN duty_reminder_time TEXT NOT NULL DEFAULT '18:00';
ALTER TABLE bookings ADD COLUMN duty_id INTEGER;

CREATE TABLE site_calendar (
    site_id  INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    date     DATE NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    PRIMARY KEY (site_id, date)
);

CREATE TABLE duties (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute  INTEGER NOT NULL,
    end_minute    INTEGER NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 1),
    skill         TEXT,
    resource_id   INTEGER REFERENCES resources(id),
    from_date     DATE NOT NULL,
    until_date    DATE,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    CHECK (start_minute < end_minute)
);
CREATE INDEX duties_by_site ON duties(site_id);

CREATE TABLE duty_signups (
    id            INTEGER PRIMARY KEY,
    duty_id       INTEGER NOT NULL REFERENCES duties(id) ON DELETE CASCADE,
    volunteer_id  INTEGER NOT NULL REFERENCES users(id),
    scope         TEXT NOT NULL CHECK (scope IN ('weekly', 'once')),
    from_date     DATE NOT NULL,
    until_date    DATE,
    created_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP
);
CREATE INDEX duty_signups_by_duty ON duty_signups(duty_id);
CREATE INDEX duty_signups_by_volunteer ON duty_signups(volunteer_id);

CREATE TABLE duty_absences (
    id            INTEGER PRIMARY KEY,
    duty_id       INTEGER NOT NULL REFERENCES duties(id) ON DELETE CASCADE,
    volunteer_id  INTEGER NOT NULL REFERENCES users(id),
    date          DATE NOT NULL,
    reason        TEXT,
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (duty_id, volunteer_id, date)
);

CREATE TABLE duty_attendance (
    duty_id       INTEGER NOT NULL REFERENCES duties(id) ON DELETE CASCADE,
    volunteer_id  INTEGER NOT NULL REFERENCES users(id),
    date          DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('attended', 'no_show')),
    minutes       INTEGER NOT NULL,
    marked_by     INTEGER REFERENCES users(id),
    marked_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (duty_id, volunteer_id, date)
);
