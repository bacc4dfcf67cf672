-- Duties may repeat every N weeks (the legal and labour advisers alternate).
ALTER TABLE duties ADD COLUMN every_weeks INTEGER NOT NULL DEFAULT 1;
