DROP INDEX bookings_by_rota_shift;
DROP INDEX bookings_by_duty;
