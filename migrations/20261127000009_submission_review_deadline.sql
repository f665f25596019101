-- Each submission keeps the review deadline it was sent under (the program's
-- `Submission::review_deadline`, carried by `SubmissionCreated`): votes on it close and
-- it expires then, whatever later extensions of its bounty say. Rows written before this
-- column existed have none (NULL).
ALTER TABLE submissions ADD COLUMN review_deadline_unix bigint;
