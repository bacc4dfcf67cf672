// The one portable schema for both backends. Kept by hand: `diesel
// print-schema` would emit backend-specific types (Integer for SQLite
// rowids, Timestamptz for PostgreSQL). Ids are BigInt on both; instants are
// `Timestamp` holding UTC (see src/db/backend.rs for how PostgreSQL's
// timestamptz columns are kept in UTC).

diesel::table! {
    sites (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        timezone -> Text,
        created_at -> Timestamp,
        urgent_quota_per_week -> Integer,
        duty_reminder_time -> Text,
        max_future_bookings_per_person -> Nullable<Integer>,
        new_person_weeks -> Integer,
        channel_topics -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Nullable<Text>,
        language -> Text,
        is_operator -> Bool,
        created_at -> Timestamp,
        password_changed_at -> Nullable<Timestamp>,
        mail_opt_out -> Text,
        longest_booking_seconds -> BigInt,
        other_name -> Nullable<Text>,
        is_observer -> Bool,
    }
}

diesel::table! {
    membership_skills (site_id, user_id, skill) {
        site_id -> BigInt,
        user_id -> BigInt,
        skill -> Text,
    }
}

diesel::table! {
    memberships (site_id, user_id) {
        site_id -> BigInt,
        user_id -> BigInt,
        is_admin -> Bool,
        is_staff -> Bool,
        is_volunteer -> Bool,
        is_group_leader -> Bool,
        senior -> Bool,
        created_at -> Timestamp,
        max_shifts_per_week -> Nullable<Integer>,
        joined_at -> Nullable<Timestamp>,
        invited_name -> Nullable<Text>,
        invited_language -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        web_token_hash -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        session_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        email -> Text,
        failed_at -> Timestamp,
        client_address -> Text,
    }
}

diesel::table! {
    booking_refusals (id) {
        id -> BigInt,
        site_id -> BigInt,
        user_id -> BigInt,
        resource_kind -> Text,
        resource_id -> Nullable<BigInt>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        user_id -> BigInt,
        site_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        event_key -> Text,
        message_id -> Text,
        kind -> Text,
        user_id -> Nullable<BigInt>,
        to_address -> Text,
        language -> Text,
        subject -> Text,
        content -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        channel_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    site_channels (id) {
        id -> BigInt,
        site_id -> BigInt,
        kind -> Text,
        name -> Text,
        url -> Text,
        secret -> Nullable<Text>,
        topics -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scheduled_jobs (name) {
        name -> Text,
        next_run_at -> Timestamp,
        last_run_at -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    site_calendar (site_id, date) {
        site_id -> BigInt,
        date -> Date,
        kind -> Text,
    }
}

diesel::table! {
    duties (id) {
        id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
        capacity -> Integer,
        skill -> Nullable<Text>,
        resource_id -> Nullable<BigInt>,
        from_date -> Date,
        until_date -> Nullable<Date>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        every_weeks -> Integer,
    }
}

diesel::table! {
    duty_signups (id) {
        id -> BigInt,
        duty_id -> BigInt,
        volunteer_id -> BigInt,
        scope -> Text,
        from_date -> Date,
        until_date -> Nullable<Date>,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    duty_absences (id) {
        id -> BigInt,
        duty_id -> BigInt,
        volunteer_id -> BigInt,
        date -> Date,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    duty_attendance (duty_id, volunteer_id, date) {
        duty_id -> BigInt,
        volunteer_id -> BigInt,
        date -> Date,
        status -> Text,
        minutes -> Integer,
        marked_by -> Nullable<BigInt>,
        marked_at -> Timestamp,
    }
}

diesel::table! {
    rota_templates (id) {
        id -> BigInt,
        site_id -> BigInt,
        weekday -> Integer,
        start_minute -> Integer,
        end_minute -> Integer,
        positions -> Integer,
        label -> Text,
        desk_pool -> Nullable<Text>,
    }
}

diesel::table! {
    staff_unavailability (id) {
        id -> BigInt,
        site_id -> BigInt,
        user_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rota_shifts (id) {
        id -> BigInt,
        site_id -> BigInt,
        date -> Date,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        label -> Text,
        positions -> Integer,
        desk_pool -> Nullable<Text>,
        template_key -> Text,
        assignees -> Text,
        published_assignees -> Nullable<Text>,
        published_version -> Nullable<Integer>,
        offered_by -> Nullable<BigInt>,
        offered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rota_versions (id) {
        id -> BigInt,
        site_id -> BigInt,
        version -> Integer,
        from_date -> Date,
        to_date -> Date,
        changed -> Integer,
        published_by -> Nullable<BigInt>,
        published_at -> Timestamp,
    }
}

diesel::table! {
    rota_swaps (id) {
        id -> BigInt,
        shift_id -> BigInt,
        from_user -> BigInt,
        to_user -> Nullable<BigInt>,
        offered_at -> Timestamp,
        taken_at -> Nullable<Timestamp>,
        flagged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    feed_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(rota_swaps -> rota_shifts (shift_id));
diesel::joinable!(duty_attendance -> duties (duty_id));
diesel::joinable!(duty_signups -> duties (duty_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> sites (site_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(invitations -> users (user_id));
diesel::joinable!(invitations -> sites (site_id));

diesel::table! {
    resources (id) {
        id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        kind -> Text,
        pool -> Nullable<Text>,
        capacity -> Nullable<Integer>,
        features -> Text,
        opening_hours -> Nullable<Text>,
        rules -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        longest_hold_seconds -> BigInt,
    }
}

diesel::table! {
    blackouts (id) {
        id -> BigInt,
        resource_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        reason -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    interest_groups (id) {
        id -> BigInt,
        site_id -> BigInt,
        name -> Text,
        leader_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    booking_series (id) {
        id -> BigInt,
        site_id -> BigInt,
        resource_id -> BigInt,
        owner_id -> BigInt,
        group_id -> Nullable<BigInt>,
        pattern -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bookings (id) {
        id -> BigInt,
        site_id -> BigInt,
        resource_id -> BigInt,
        owner_id -> BigInt,
        group_id -> Nullable<BigInt>,
        series_id -> Nullable<BigInt>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        busy_until -> Timestamp,
        status -> Text,
        urgency -> Text,
        reason -> Nullable<Text>,
        purpose -> Text,
        headcount -> Nullable<Integer>,
        flexible -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        checked_in_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        ended_by -> Nullable<BigInt>,
        end_reason -> Nullable<Text>,
        duty_id -> Nullable<BigInt>,
        rota_shift_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    waitlist (id) {
        id -> BigInt,
        site_id -> BigInt,
        owner_id -> BigInt,
        resource_id -> Nullable<BigInt>,
        pool -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        latest_start -> Timestamp,
        urgency -> Text,
        reason -> Nullable<Text>,
        purpose -> Text,
        headcount -> Nullable<Integer>,
        group_id -> Nullable<BigInt>,
        flexible -> Bool,
        status -> Text,
        requested_at -> Timestamp,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        served_booking_id -> Nullable<BigInt>,
        displaced_booking_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        site_id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        booking_id -> Nullable<BigInt>,
        other_booking_id -> Nullable<BigInt>,
        subject_user_id -> Nullable<BigInt>,
        urgency -> Nullable<Text>,
        reason -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, site_id, key) {
        user_id -> BigInt,
        site_id -> BigInt,
        key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(resources -> sites (site_id));
diesel::joinable!(site_channels -> sites (site_id));
diesel::joinable!(outbox -> site_channels (channel_id));
diesel::joinable!(blackouts -> resources (resource_id));
diesel::joinable!(interest_groups -> sites (site_id));
diesel::joinable!(bookings -> resources (resource_id));
diesel::joinable!(bookings -> users (owner_id));
diesel::joinable!(bookings -> interest_groups (group_id));

diesel::allow_tables_to_appear_in_same_query!(
    booking_refusals,
    sites,
    users,
    membership_skills,
    memberships,
    sessions,
    refresh_tokens,
    login_failures,
    invitations,
    server_secrets,
    resources,
    blackouts,
    interest_groups,
    booking_series,
    bookings,
    idempotency_keys,
    outbox,
    scheduled_jobs,
    password_resets,
    waitlist,
    audit_log,
    site_calendar,
    duties,
    duty_signups,
    duty_absences,
    duty_attendance,
    rota_templates,
    staff_unavailability,
    rota_shifts,
    rota_versions,
    rota_swaps,
    feed_tokens,
    site_channels,
);
