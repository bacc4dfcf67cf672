DROP TABLE feed_tokens;
DROP TABLE rota_swaps;
DROP TABLE rota_versions;
DROP TABLE rota_shifts;
DROP TABLE staff_unavailability;
DROP TABLE rota_templates;
ALTER TABLE bookings DROP COLUMN rota_shift_id;
ALTER TABLE memberships DROP COLUMN max_shifts_per_week;
