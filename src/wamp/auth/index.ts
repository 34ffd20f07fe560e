export * from './cryptosign';
export * from './wampcra';
