import { Types, type Model } from 'mongoose';
import type { UserRecord, UserRepository } from '../../auth/users.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import { isCastError, isDuplicateKey } from './mongo-errors.js';
import type { UserDoc } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';

function toUser(doc: UserDoc): UserRecord {
  return {
    id: doc._id.toHexString(),
    email: doc.email,
    name: doc.name,
    passwordHash: doc.passwordHash,
    createdAt: doc.createdAt,
  };
}

/** The users port over the `users` collection (unique index on `email`). */
export function createMongoUserRepository(users: Model<UserDoc>, run: StoreRunner): UserRepository {
  return {
    async create(input, now) {
      const doc: UserDoc = {
        _id: new Types.ObjectId(newObjectId(now.getTime())),
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash: input.passwordHash,
        createdAt: now,
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
  };
}
