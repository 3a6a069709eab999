export { AttachBroker, type AttachTicket, type BrokeredSession, type BrokerOptions } from './broker';
export { bridgeSession } from './bridge';
export { attachUpgrades, ATTACH_SLOT, type AttachSlot, type AppFetch, type AttachUpgrades } from './upgrade';
export { attachPlan, LOGIN_SHELL, SSHD, FORWARD, sessionHostKey } from './commands';
export * from './protocol';
