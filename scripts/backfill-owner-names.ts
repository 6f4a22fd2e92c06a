import { backfillOwnerNames } from './lib/owner-names.ts';
import { connectAdmin } from './provision/admin.ts';

// `npm run backfill-owner-names`: gives every owned device its owner's name (`owner_device_name`, from the
// owner's link), once, for devices claimed before the functions wrote it. Safe to run again (it only writes
// what differs). Against the emulators unless FIRESTORE_EMULATOR_HOST / GCLOUD_PROJECT say otherwise.

const { db, projectId, firestoreHost } = connectAdmin();
backfillOwnerNames(db).then(
  (result) => {
    console.log(JSON.stringify({ projectId, firestoreHost, ...result }));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
