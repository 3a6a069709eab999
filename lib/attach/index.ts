export { AttachBroker, type AttachTicket, type BrokeredSession, type BrokerOptions } from './broker';
export { bridgeSession } from './bridge';
export { attachUpgrades, type AppFetch, type AttachUpgrades } from './upgrade';
export { ATTACH_SLOT, type AttachSlot } from './slot';
export { attachPlan, LOGIN_SHELL, SSHD, FORWARD, sessionHostKey } from './commands';
export * from './protocol';
