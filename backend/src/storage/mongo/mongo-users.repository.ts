import { Types, type Model } from 'mongoose';
import type { UserRecord, UserRepository } from '../../auth/users.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import { DEFAULT_EMAIL_PREFERENCES, NOTIFICATION_TYPES } from '../../notifications/notification.model.js';
import { isCastError, isDuplicateKey } from './mongo-errors.js';
import type { UserDoc } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';

function toUser(doc: UserDoc): UserRecord {
  const off = new Set(doc.emailOff ?? []);
  const emailPreferences = { ...DEFAULT_EMAIL_PREFERENCES };
  for (const type of NOTIFICATION_TYPES) emailPreferences[type] = !off.has(type);
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    name: doc.name,
    passwordHash: doc.passwordHash,
    createdAt: doc.createdAt,
    emailVerified: doc.emailVerified === true,
    emailPreferences,
  };
}

/** The users port over the `users` collection (unique index on `email`). */
export function createMongoUserRepository(users: Model<UserDoc>, run: StoreRunner): UserRepository {
  const byId = (id: string) => ({ _id: new Types.ObjectId(id) });

  return {
    async create(input, now) {
      const doc: UserDoc = {
        _id: new Types.ObjectId(newObjectId(now.getTime())),
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash: input.passwordHash,
        createdAt: now,
        emailVerified: false,
      };
      return run(async () => {
        try {
          await users.create(doc);
          return toUser(doc);
        } catch (error) {
          if (isDuplicateKey(error)) return null;
          throw error;
        }
      });
    },

    async findByEmail(email) {
      return run(async () => {
        const doc = await users.findOne({ email: email.toLowerCase() }).lean<UserDoc>();
        return doc === null ? null : toUser(doc);
      });
    },

    async findById(id) {
      if (!isObjectId(id)) return null;
      return run(async () => {
        try {
          const doc = await users.findById(new Types.ObjectId(id)).lean<UserDoc>();
          return doc === null ? null : toUser(doc);
        } catch (error) {
          if (isCastError(error)) return null;
          throw error;
        }
      });
    },

    async markEmailVerified(id) {
      if (!isObjectId(id)) return false;
      return run(async () => (await users.updateOne(byId(id), { $set: { emailVerified: true } })).matchedCount === 1);
    },

    async setPasswordHash(id, passwordHash) {
      if (!isObjectId(id)) return false;
      return run(async () => (await users.updateOne(byId(id), { $set: { passwordHash } })).matchedCount === 1);
    },

    async setEmailPreferences(id, changes) {
      if (!isObjectId(id)) return null;
      const on = NOTIFICATION_TYPES.filter((type) => changes[type] === true);
      const off = NOTIFICATION_TYPES.filter((type) => changes[type] === false);
      return run(async () => {
        // $pull and $addToSet on one array conflict within one update, so they are two; each is
        // atomic and they touch different types, so concurrent changes of other switches both hold.
        if (on.length > 0) await users.updateOne(byId(id), { $pull: { emailOff: { $in: on } } });
        const doc =
          off.length > 0
            ? await users
                .findOneAndUpdate(byId(id), { $addToSet: { emailOff: { $each: off } } }, { new: true })
                .lean<UserDoc>()
            : await users.findOne(byId(id)).lean<UserDoc>();
        return doc === null ? null : toUser(doc);
      });
    },
  };
}
