DROP INDEX `users_email_unique`;--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Existing emails were stored whether or not anyone vouched for them. A user no identity provider is linked to
-- was made by the operator (`tessera users create`): that email counts as verified. Every other keeps its email
-- unverified until a sign-in through a provider trusted with emails (linkByEmail "verified") marks it verified.
UPDATE `users` SET `email_verified` = true WHERE `email` IS NOT NULL AND `guest_of` IS NULL AND NOT EXISTS (SELECT 1 FROM `identities` WHERE `identities`.`user_id` = `users`.`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_verified_email_unique` ON `users` (`email`) WHERE email_verified;--> statement-breakpoint
ALTER TABLE `identities` ADD `email` text;--> statement-breakpoint
ALTER TABLE `identities` ADD `email_verified` integer DEFAULT false NOT NULL;