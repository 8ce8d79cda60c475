import { describe, expect, it } from 'vitest';
import { hoursText, siteBooking, sitesAnswer, type JunctionSite } from '../../../../functions/core/booking/sites';

const site = (code: string, distance: number, capabilities: string[], extra: Partial<JunctionSite['metadata']> = {}): JunctionSite => ({
  site_code: code,
  distance,
  capabilities,
  metadata: { name: `PSC ${code}`, first_line: '1 Main St', second_line: 'Suite 2', city: 'Phoenix', state: 'AZ', zip_code: '85001', phone_number: '480-555-0100', ...extra },
});

describe('the sites answer (CONTRACT §14)', () => {
  it('reads how a site books from its capabilities alone', () => {
    expect(siteBooking(['appointment_scheduling_via_junction', 'stat'])).toBe('here');
    expect(siteBooking(['appointment_scheduling_with_lab'])).toBe('with_lab');
    expect(siteBooking(['appointment_scheduling_with_lab', 'appointment_scheduling_via_junction'])).toBe('here');
    expect(siteBooking(['stat'])).toBe('unknown');
  });

  it('lists nearest first, here before the others at the same distance, with the address as one line', () => {
    const answer = sitesAnswer([site('C', 3, ['appointment_scheduling_with_lab']), site('B', 3, ['appointment_scheduling_via_junction']), site('A', 1, [], { second_line: null, phone_number: ' ' })]);
    expect(answer.map((s) => [s.site_code, s.book])).toEqual([
      ['A', 'unknown'],
      ['B', 'here'],
      ['C', 'with_lab'],
    ]);
    expect(answer[0]).toEqual({ site_code: 'A', name: 'PSC A', address: '1 Main St, Phoenix, AZ 85001', phone: null, hours: null, distance_miles: 1, book: 'unknown' });
    expect(answer[1]!.address).toBe('1 Main St, Suite 2, Phoenix, AZ 85001');
    expect(answer[1]!.phone).toBe('480-555-0100');
  });

  it("makes hours from Junction's object in both its forms, in its order, and null otherwise", () => {
    expect(hoursText({ 'Mon-Fri': '7:00 AM - 3:30 PM', Sat: 'Closed' })).toBe('Mon-Fri: 7:00 AM - 3:30 PM; Sat: Closed');
    expect(hoursText({ monday: ['07:00-12:00', '13:00-15:00'], tuesday: [] })).toBe('monday: 07:00-12:00, 13:00-15:00; tuesday:');
    expect(hoursText({ monday: { open: '7' } })).toBeNull();
    expect(hoursText({ monday: [1, 2] })).toBeNull();
    expect(hoursText({ monday: 'x'.repeat(200) })).toBeNull();
    expect(hoursText({})).toBeNull();
    expect(hoursText(null)).toBeNull();
  });
});
