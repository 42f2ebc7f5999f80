/**
 * When the demo bookings lie: today and tomorrow of the cloud's clock in Shanghai, whatever the
 * zone this runs in, never in the past, and inside the room's hours.
 */
import { DEMO_ROOM_SUBSCRIBE_TEMPLATES, demoBookingTimes } from '../../../local-cloud/src/seed-rooms';
import { parseRoomTemplates } from '../../../server/room/config';

const MEETING = { hours: { open: '08:00', close: '22:00' }, slotMinutes: 30 } as const;
const STUDY = { hours: { open: '18:00', close: '02:00' }, slotMinutes: 60 } as const;
const at = (wall: string): Date => new Date(`${wall.replace(' ', 'T')}:00+08:00`);

describe('the demo booking that starts soon', () => {
  test('starts at the first slot boundary after now', () => {
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, at('2030-06-05 09:10'))).toEqual({ start: '2030-06-05 09:30', end: '2030-06-05 10:30' });
    // On a boundary: the next one, since a booking may not start now.
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, at('2030-06-05 09:30'))).toEqual({ start: '2030-06-05 10:00', end: '2030-06-05 11:00' });
  });

  test('before the room opens it starts at the opening; too late for today it is tomorrow at 10:00', () => {
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, at('2030-06-05 06:45')).start).toBe('2030-06-05 08:00');
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, at('2030-06-05 21:00'))).toEqual({ start: '2030-06-06 10:00', end: '2030-06-06 11:00' });
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, at('2030-06-05 20:29')).start).toBe('2030-06-05 20:30');
  });

  test('the day is Shanghai\'s: 23:30 UTC is the next morning there', () => {
    expect(demoBookingTimes({ day: 0, time: 'next', minutes: 60 }, MEETING, new Date('2030-06-04T23:30:00Z')).start).toBe('2030-06-05 08:00');
  });
});

describe('a demo booking at a set time', () => {
  test('lies on its day; tomorrow\'s stays tomorrow', () => {
    expect(demoBookingTimes({ day: 1, time: '14:00', minutes: 120 }, MEETING, at('2030-06-05 09:10'))).toEqual({ start: '2030-06-06 14:00', end: '2030-06-06 16:00' });
    expect(demoBookingTimes({ day: 1, time: '09:00', minutes: 60 }, MEETING, at('2030-06-05 23:50')).start).toBe('2030-06-06 09:00');
  });

  test('one that would have begun already moves a day on; one crossing midnight ends the next day', () => {
    expect(demoBookingTimes({ day: 0, time: '22:00', minutes: 180 }, STUDY, at('2030-06-05 09:10'))).toEqual({ start: '2030-06-05 22:00', end: '2030-06-06 01:00' });
    expect(demoBookingTimes({ day: 0, time: '22:00', minutes: 180 }, STUDY, at('2030-06-05 22:00'))).toEqual({ start: '2030-06-06 22:00', end: '2030-06-07 01:00' });
  });
});

test('npm start\'s demo room templates are ones the room function accepts', () => {
  expect(parseRoomTemplates(DEMO_ROOM_SUBSCRIBE_TEMPLATES).map((template) => template.purpose)).toEqual(['booking-remind', 'booking-result']);
});
