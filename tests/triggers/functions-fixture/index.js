// A small functions codebase for tests/triggers: v2 Firestore triggers that record what they receive in
// trigger_log, so the suite can see that the shared emulator start path delivers Firestore events.
const { initializeApp } = require('firebase-admin/app');
const { getFirestore, FieldValue } = require('firebase-admin/firestore');
const { onDocumentWritten, onDocumentCreatedWithAuthContext } = require('firebase-functions/v2/firestore');

initializeApp();

const snapshot = (snap) => (snap?.exists ? snap.data() : null);

exports.thermostatWritten = onDocumentWritten('thermostats/{roomId}', (event) =>
  getFirestore()
    .collection('trigger_log')
    .add({
      kind: 'written',
      params: event.params,
      before: snapshot(event.data?.before),
      after: snapshot(event.data?.after),
      at: FieldValue.serverTimestamp(),
    }),
);

exports.thermostatCreatedBy = onDocumentCreatedWithAuthContext('thermostats/{roomId}', (event) =>
  getFirestore().collection('trigger_log').add({
    kind: 'createdBy',
    params: event.params,
    authType: event.authType,
    at: FieldValue.serverTimestamp(),
  }),
);
